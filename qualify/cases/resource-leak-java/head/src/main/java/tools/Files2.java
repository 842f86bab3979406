package tools;

import java.io.BufferedReader;
import java.io.FileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

public final class Files2 {
    private Files2() {}

    public static long size(String path) throws IOException {
        return Files.size(Path.of(path));
    }

    public static String firstLine(String path) throws IOException {
        BufferedReader reader = new BufferedReader(new FileReader(path));
        return reader.readLine();
    }
}
