package inbox

// revive tells the hook, if any, that host sent a verified request: a host
// that talks to us is up, so cmd/wikipub wires Deps.Revive to
// (*delivery.Deliverer).Revive to close its circuit breaker. The hook must
// be quick; it runs on the request's path.
func (h *Handler) revive(host string) {
	if host != "" && h.onSigned != nil {
		h.onSigned(host)
	}
}
