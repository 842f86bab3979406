package server

import "net/http"

const reportsDir = "/srv/reports"

func listReports(w http.ResponseWriter, r *http.Request) {
	http.ServeFile(w, r, reportsDir)
}
