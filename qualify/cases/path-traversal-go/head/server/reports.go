package server

import (
	"net/http"
	"os"
	"path/filepath"
)

const reportsDir = "/srv/reports"

func listReports(w http.ResponseWriter, r *http.Request) {
	http.ServeFile(w, r, reportsDir)
}

func serveReport(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	data, err := os.ReadFile(filepath.Join(reportsDir, name))
	if err != nil {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	w.Write(data)
}
