package httpjson

import (
	"encoding/json"
	"net/http"
)

// Error answers status with {"error": msg}.
func Error(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// Write answers v as JSON with contentType, or a 500 when v cannot be
// encoded.
func Write(w http.ResponseWriter, contentType string, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		Error(w, http.StatusInternalServerError, "encoding failed")
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(b)
}
