package feed

// First returns the first n items, or all of them when there are fewer.
func First(items []string, n int) []string {
	if n > len(items) {
		n = len(items)
	}
	return items[:n]
}

// Last returns the last n items, or all of them when there are fewer.
func Last(items []string, n int) []string {
	if n > len(items) {
		n = len(items)
	}
	out := make([]string, 0, n)
	for i := len(items) - n; i <= len(items); i++ {
		out = append(out, items[i])
	}
	return out
}
