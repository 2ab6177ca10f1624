// vcsim: VMware's vSphere simulator (govmomi's simulator package, its default vCenter inventory) on a loopback port,
// for the portal's tests and the README's "Provision on vSphere". Built by scripts/vcsim.sh. Prints one JSON line
// (url, certificate fingerprints) once it listens; stops on SIGINT or SIGTERM, and with -stdin when its standard
// input closes, so a test that dies never leaves it behind.
package main

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/vmware/govmomi/simulator"
)

func fingerprint(sum []byte) string {
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "host:port to listen on")
	username := flag.String("username", "portal", "the only user name accepted")
	password := flag.String("password", "portal-vcsim", "its password")
	delays := flag.String("delay", "", "per-method delays, e.g. CloneVM_Task=2000 (milliseconds, comma-separated)")
	watchStdin := flag.Bool("stdin", false, "stop when standard input closes")
	flag.Parse()

	model := simulator.VPX()
	if err := model.Create(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if *delays != "" {
		model.DelayConfig.MethodDelay = map[string]int{}
		for _, pair := range strings.Split(*delays, ",") {
			method, ms, _ := strings.Cut(pair, "=")
			model.DelayConfig.MethodDelay[method], _ = strconv.Atoi(ms)
		}
	}
	model.Service.TLS = new(tls.Config)
	model.Service.Listen = &url.URL{Host: *listen, User: url.UserPassword(*username, *password)}
	server := model.Service.NewServer()

	raw := server.Certificate().Raw
	sha1Sum := sha1.Sum(raw)
	sha256Sum := sha256.Sum256(raw)
	address := *server.URL
	address.User = nil
	line, _ := json.Marshal(map[string]string{
		"url": address.String(), "sha1": fingerprint(sha1Sum[:]), "sha256": fingerprint(sha256Sum[:]),
	})
	fmt.Println(string(line))

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGINT, syscall.SIGTERM)
	if *watchStdin {
		go func() { io.Copy(io.Discard, os.Stdin); stop <- syscall.SIGTERM }()
	}
	<-stop
	server.Close()
	model.Remove()
}
