// Command provider runs provider-stateful: Crossplane managed resources for stateful cloud services.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/crossplane/crossplane-runtime/v2/pkg/logging"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/stateful-dev/provider-stateful/internal/provider"
	"github.com/stateful-dev/provider-stateful/internal/version"
)

func main() {
	s := provider.Defaults()
	fs := flag.NewFlagSet("provider", flag.ExitOnError)
	s.BindFlags(fs)
	showVersion := fs.Bool("version", false, "Print the version and exit.")
	_ = fs.Parse(os.Args[1:])
	if *showVersion {
		fmt.Println(version.Info())
		return
	}

	provider.ApplyGCPercent(s, os.LookupEnv)

	zl := zap.New(zap.UseDevMode(s.Debug))
	log := logging.NewLogrLogger(zl.WithName("provider-stateful"))
	// controller-runtime's own logging is very chatty; it is only wired up at debug level.
	if s.Debug {
		ctrl.SetLogger(zl)
	} else {
		ctrl.SetLogger(zap.New(zap.WriteTo(io.Discard)))
	}
	log.Info("Starting", "version", version.Info(), "poll", s.PollInterval, "max-reconcile-rate", s.MaxReconcileRate)

	cfg, err := ctrl.GetConfig()
	if err != nil {
		fatal(log, err, "cannot get API server config")
	}
	mgr, err := provider.New(cfg, s, log)
	if err != nil {
		fatal(log, err, "cannot build the provider")
	}
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		fatal(log, err, "provider stopped")
	}
}

func fatal(log logging.Logger, err error, msg string) {
	log.Info(msg, "error", err)
	os.Exit(1)
}
