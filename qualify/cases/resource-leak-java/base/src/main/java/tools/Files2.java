package tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

public final class Files2 {
    private Files2() {}

    public static long size(String path) throws IOException {
        return Files.size(Path.of(path));
    }
}
