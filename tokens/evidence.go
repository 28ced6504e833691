package tokens

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"net/http/httptrace"
	"sync"

	"github.com/onramp-cli/onramp/classify"
)

// evidenceTransport is the token client's transport: each request carries
// a recorder that the TLS callbacks and the client trace fill in, and a
// failed request's error carries what they saw.
type evidenceTransport struct {
	base  *http.Transport
	chain []*x509.Certificate // the client certificate, leaf first
	trust string              // the CA bundle, for details
}

// recorder collects one request's evidence; the handshake runs on the
// transport's goroutines, hence the lock.
type recorder struct {
	mu sync.Mutex
	ev classify.Evidence
}

type recorderKey struct{}

// recorderOf returns the request's recorder, or a fresh one that nobody
// reads when the context carries none.
func recorderOf(ctx context.Context) *recorder {
	if rec, ok := ctx.Value(recorderKey{}).(*recorder); ok {
		return rec
	}
	return &recorder{}
}

func (r *recorder) stage(s classify.Stage) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ev.Stage = s
}

func (t *evidenceTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := &recorder{ev: classify.Evidence{Chain: t.chain, Trust: t.trust}}
	// A handshake through a proxy is the transport's; the trace tells.
	// After the handshake the failure could be anywhere in the exchange.
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: func() { rec.stage(classify.StageHandshake) },
		TLSHandshakeDone: func(cs tls.ConnectionState, _ error) {
			rec.mu.Lock()
			rec.ev.Version = cs.Version
			rec.mu.Unlock()
			rec.stage(classify.StageUnknown)
		},
	}
	ctx := httptrace.WithClientTrace(context.WithValue(req.Context(), recorderKey{}, rec), trace)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		rec.mu.Lock()
		defer rec.mu.Unlock()
		return nil, &failureEvidence{err: err, ev: rec.ev}
	}
	return resp, nil
}

// CloseIdleConnections lets http.Client.CloseIdleConnections reach the
// transport.
func (t *evidenceTransport) CloseIdleConnections() { t.base.CloseIdleConnections() }

// failureEvidence is a failed request's error with what its handshake
// showed.
type failureEvidence struct {
	err error
	ev  classify.Evidence
}

func (e *failureEvidence) Error() string { return e.err.Error() }
func (e *failureEvidence) Unwrap() error { return e.err }
