package federation

import ()

// OnSignedRequest sets f to be called with the host of every remote actor
// whose signed request to one of our inboxes verified: a host that talks
// to us is up, so serve wires this to (*Deliverer).Revive to close its
// circuit breaker. f must be quick; it runs on the request's path. Set it
// before serving.
func (s *Server) OnSignedRequest(f func(host string)) { s.onSigned = f }

// revive tells the hook, if any, that host sent a verified request.
func (s *Server) revive(host string) {
	if host != "" && s.onSigned != nil {
		s.onSigned(host)
	}
}

// OnEnqueue sets f to be called after deliveries are queued: serve wires
// it to (*Deliverer).Wake, so posts leave at once. Set it before serving.
func (s *Server) OnEnqueue(f func()) { s.onEnqueue = f }
