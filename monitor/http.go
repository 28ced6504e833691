package monitor

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/onramp-cli/onramp/keystore"
	"github.com/onramp-cli/onramp/profile"
)

// TextfileName is the file --textfile writes in node_exporter's textfile
// directory.
const TextfileName = "onramp.prom"

// Registry holds the scheduled results and onramp's own process metrics:
// what /metrics serves.
func (m *Monitor) Registry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Collector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// Handler serves /metrics (the latest scheduled results, OpenMetrics when
// the scraper asks for it), /probe?profile=NAME (checks that profile now,
// for a Prometheus that drives the schedule itself, as with
// blackbox_exporter) and an index page at /.
func (m *Monitor) Handler() http.Handler {
	mux := http.NewServeMux()
	opts := promhttp.HandlerOpts{EnableOpenMetrics: true}
	mux.Handle("/metrics", promhttp.HandlerFor(m.Registry(), opts))
	mux.HandleFunc("/probe", m.probe)
	mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<html><head><title>onramp watch</title></head><body><h1>onramp watch</h1>
<p><a href="/metrics">/metrics</a>: the latest check of every profile.</p>
<p>/probe?profile=NAME: check one profile now.</p><ul>`)
		for _, res := range m.Results() {
			n := html.EscapeString(res.Profile)
			fmt.Fprintf(w, `<li><a href="/probe?profile=%s">%s</a></li>`, n, n)
		}
		fmt.Fprint(w, "</ul></body></html>\n")
	})
	return mux
}

// probe checks one profile now and answers with its metrics alone. The
// check's timeout is cut to the scrape's (X-Prometheus-Scrape-Timeout-Seconds)
// less half a second, so Prometheus gets an answer before it gives up.
func (m *Monitor) probe(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("profile")
	if name == "" {
		http.Error(w, "the profile parameter is missing: /probe?profile=NAME", http.StatusBadRequest)
		return
	}
	p, err := profile.Load(name)
	if errors.Is(err, profile.ErrNotFound) {
		http.Error(w, fmt.Sprintf("no profile %q (list them with `onramp profile ls`)", name), http.StatusNotFound)
		return
	}
	if err != nil {
		http.Error(w, m.opts.Secrets.Text(err.Error()), http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	if s := r.Header.Get("X-Prometheus-Scrape-Timeout-Seconds"); s != "" {
		if secs, err := strconv.ParseFloat(s, 64); err == nil && secs > 1 {
			d := time.Duration((secs - 0.5) * float64(time.Second))
			if d < m.opts.Timeout {
				var cancel func()
				ctx, cancel = context.WithTimeout(ctx, d)
				defer cancel()
			}
		}
	}
	res := m.Check(ctx, p)
	reg := prometheus.NewRegistry()
	reg.MustRegister(&resultCollector{results: func() []*Result { return []*Result{res} }})
	promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true}).ServeHTTP(w, r)
}

// WriteTextfile writes the latest results to dir/onramp.prom for
// node_exporter's textfile collector: to a temporary file first, then
// renamed, so a scrape never reads half a file.
func (m *Monitor) WriteTextfile(dir string) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Collector())
	path := filepath.Join(dir, TextfileName)
	mfs, err := reg.Gather()
	if err != nil {
		return fmt.Errorf("--textfile: %w", err)
	}
	var buf bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			return fmt.Errorf("--textfile: %w", err)
		}
	}
	// onramp's atomic writer: its temp files carry onramp's name and pid,
	// so one left by a killed watch is cleaned by the next write.
	if err := keystore.WriteFileAtomic(path, buf.Bytes(), 0o644, true); err != nil {
		return fmt.Errorf("--textfile: writing %s: %w", path, err)
	}
	return nil
}

// CheckTextfileDir says whether dir can take the textfile, before watching
// starts.
func CheckTextfileDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--textfile %s: %w (give node_exporter's --collector.textfile.directory)", dir, errors.Unwrap(err))
	}
	if !fi.IsDir() {
		return fmt.Errorf("--textfile %s: not a directory", dir)
	}
	return nil
}
