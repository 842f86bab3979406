package stats

import "sync"

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

// CountAll counts many paths at once, one goroutine each.
func (c *Counter) CountAll(paths []string) {
	var wg sync.WaitGroup
	for _, p := range paths {
		wg.Add(1)
		go func(p string) {
			defer wg.Done()
			c.hits[p]++
		}(p)
	}
	wg.Wait()
}
