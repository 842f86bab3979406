package stats;

import java.util.List;

public final class Sum {
    private Sum() {}

    public static long of(List<Integer> values) {
        long total = 0;
        for (int i = 0; i < values.size(); i++) {
            total += values.get(i);
        }
        return total;
    }
}
