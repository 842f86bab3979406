package feed

// First returns the first n items, or all of them when there are fewer.
func First(items []string, n int) []string {
	if n > len(items) {
		n = len(items)
	}
	return items[:n]
}
