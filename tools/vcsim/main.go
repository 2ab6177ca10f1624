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
	"sync"
	"syscall"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// inventoryLog writes each VM created, powered on or off, and removed to standard error: what a person following
// the README sees appear in "vCenter". A VM is registered before it has its name, so it is told once it has one.
type inventoryLog struct {
	mu    sync.Mutex
	names map[string]string
}

func (l *inventoryLog) Reference() types.ManagedObjectReference {
	return types.ManagedObjectReference{Type: "InventoryLog", Value: "inventory-log"}
}

func (l *inventoryLog) PutObject(o mo.Reference) {
	if vm, ok := o.(*simulator.VirtualMachine); ok {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.names[vm.Self.Value] = ""
	}
}

func (l *inventoryLog) UpdateObject(o mo.Reference, changes []types.PropertyChange) {
	vm, ok := o.(*mo.VirtualMachine)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if name, known := l.names[vm.Self.Value]; known && name == "" && vm.Name != "" {
		l.names[vm.Self.Value] = vm.Name
		fmt.Fprintf(os.Stderr, "inventory: VM %s (%s) created\n", vm.Name, vm.Self.Value)
	}
	for _, change := range changes {
		if change.Name == "runtime.powerState" {
			fmt.Fprintf(os.Stderr, "inventory: VM %s (%s) %v\n", vm.Name, vm.Self.Value, change.Val)
		}
	}
}

func (l *inventoryLog) RemoveObject(ref types.ManagedObjectReference) {
	if ref.Type != "VirtualMachine" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if name, known := l.names[ref.Value]; known {
		fmt.Fprintf(os.Stderr, "inventory: VM %s (%s) removed\n", name, ref.Value)
		delete(l.names, ref.Value)
	}
}

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
	simulator.Map.AddHandler(&inventoryLog{names: map[string]string{}})
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
