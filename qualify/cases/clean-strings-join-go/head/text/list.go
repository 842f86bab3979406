package text

import "strings"

// Comma joins words with ", ".
func Comma(words []string) string {
	return strings.Join(words, ", ")
}
