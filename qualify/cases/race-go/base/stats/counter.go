package stats

// Counter counts hits per path.
type Counter struct {
	hits map[string]int
}

func NewCounter() *Counter {
	return &Counter{hits: make(map[string]int)}
}

func (c *Counter) Count(path string) {
	c.hits[path]++
}
