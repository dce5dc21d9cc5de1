// Command knet-ferretdb runs FerretDB 1.x (MongoDB wire protocol) on its SQLite backend
// for local development and tests.
//
// Why a wrapper instead of `go install .../cmd/ferretdb`: the module copy served by the Go
// module proxy carries an empty build/version/version.txt, and cmd/ferretdb panics at start
// when it is the main module. FerretDB's embeddable package is the supported way to run it
// from another module, and it keeps telemetry off and starts no debug HTTP listener, so the
// process takes only the port we give it and calls nowhere.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "host:port to accept MongoDB wire connections on")
	dataDir := flag.String("sqlite-dir", ".data/ferretdb", "directory holding one SQLite file per database")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "knet-ferretdb: cannot create %s: %v\n", *dataDir, err)
		os.Exit(1)
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		// WAL with synchronous=NORMAL: no fsync per commit, still safe if a process crashes
		// (only a power loss can drop the last commits). This store is for development and
		// tests; production runs on MongoDB. FerretDB adds WAL and a busy timeout itself.
		SQLiteURL: "file:" + *dataDir + "/?_pragma=synchronous(normal)",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "knet-ferretdb: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stderr, "knet-ferretdb: listening on %s, data in %s\n", *listen, *dataDir)
	if err := f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "knet-ferretdb: %v\n", err)
		os.Exit(1)
	}
}
