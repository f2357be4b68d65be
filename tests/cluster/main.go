// Command kiln-test-cluster runs a real Kubernetes control plane on loopback for kiln's apply tests:
// an embedded etcd, the upstream kube-apiserver and (optionally) kube-controller-manager with only the
// namespace and garbage-collector controllers, so tests can write object status themselves.
//
// Usage:
//
//	kiln-test-cluster serve DIR [--no-controllers] [--exit-with PID]   run in the foreground until SIGTERM
//	                                                (or until process PID is gone)
//	kiln-test-cluster apiserver ARGS...             (internal) the kube-apiserver command
//	kiln-test-cluster controller-manager ARGS...    (internal) the kube-controller-manager command
//
// `serve` generates certificates and a bearer token under DIR, starts etcd and the API server, waits for
// /readyz and then writes DIR/kubeconfig (written last, so its presence means "ready").
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
	"k8s.io/component-base/cli"
	apiserver "k8s.io/kubernetes/cmd/kube-apiserver/app"
	controllermanager "k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kiln-test-cluster serve DIR [--no-controllers]")
		os.Exit(2)
	}
	switch os.Args[1] {
	case "apiserver":
		cmd := apiserver.NewAPIServerCommand()
		cmd.SetArgs(os.Args[2:])
		os.Exit(cli.Run(cmd))
	case "controller-manager":
		cmd := controllermanager.NewControllerManagerCommand()
		cmd.SetArgs(os.Args[2:])
		os.Exit(cli.Run(cmd))
	case "serve":
		if len(os.Args) < 3 {
			fmt.Fprintln(os.Stderr, "usage: kiln-test-cluster serve DIR [--no-controllers]")
			os.Exit(2)
		}
		controllers := true
		for i, a := range os.Args[3:] {
			switch {
			case a == "--no-controllers":
				controllers = false
			case a == "--exit-with" && i+4 < len(os.Args):
				// Stop when that process (e.g. the test binary that started us) is gone.
				pid := os.Args[i+4]
				go func() {
					for {
						time.Sleep(time.Second)
						if _, err := os.Stat("/proc/" + pid); err != nil {
							_ = syscall.Kill(os.Getpid(), syscall.SIGTERM)
							return
						}
					}
				}()
			}
		}
		if err := serve(os.Args[2], controllers); err != nil {
			fmt.Fprintln(os.Stderr, "kiln-test-cluster:", err)
			os.Exit(1)
		}
	default:
		fmt.Fprintf(os.Stderr, "unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
}

// freePort asks the kernel for an unused loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}

// certs writes a CA, a serving certificate for 127.0.0.1/localhost and a service-account key pair.
func certs(dir string) (caPEM []byte, err error) {
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kiln-test-ca"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * 365 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(24 * 365 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("10.0.0.1")},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caCert, &srvKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	srvKeyDER, err := x509.MarshalECPrivateKey(srvKey)
	if err != nil {
		return nil, err
	}
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	saPub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct {
		name, typ string
		der       []byte
	}{
		{"ca.crt", "CERTIFICATE", caDER},
		{"server.crt", "CERTIFICATE", srvDER},
		{"server.key", "EC PRIVATE KEY", srvKeyDER},
		{"sa.key", "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)},
		{"sa.pub", "PUBLIC KEY", saPub},
	} {
		if err := writePEM(filepath.Join(dir, f.name), f.typ, f.der); err != nil {
			return nil, err
		}
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), nil
}

func kubeconfig(server, caPath, token string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kiln-test
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    token: %s
contexts:
- name: kiln-test
  context:
    cluster: kiln-test
    user: admin
    namespace: default
current-context: kiln-test
`, server, caPath, token)
}

func serve(dir string, controllers bool) error {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	pki := filepath.Join(dir, "pki")
	if err := os.MkdirAll(pki, 0o700); err != nil {
		return err
	}
	_ = os.Remove(filepath.Join(dir, "kubeconfig"))
	caPEM, err := certs(pki)
	if err != nil {
		return fmt.Errorf("certificates: %w", err)
	}
	tokenBytes := make([]byte, 24)
	if _, err := rand.Read(tokenBytes); err != nil {
		return err
	}
	token := hex.EncodeToString(tokenBytes)
	tokens := fmt.Sprintf("%s,kiln-admin,kiln-admin,system:masters\n", token)
	if err := os.WriteFile(filepath.Join(pki, "tokens.csv"), []byte(tokens), 0o600); err != nil {
		return err
	}

	// etcd, embedded; fsync off: this is a throwaway test store.
	clientPort, err := freePort()
	if err != nil {
		return err
	}
	peerPort, err := freePort()
	if err != nil {
		return err
	}
	cfg := embed.NewConfig()
	cfg.Dir = filepath.Join(dir, "etcd")
	cfg.Name = "kiln-test"
	cu, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(clientPort))
	pu, _ := url.Parse("http://127.0.0.1:" + strconv.Itoa(peerPort))
	cfg.ListenClientUrls = []url.URL{*cu}
	cfg.AdvertiseClientUrls = []url.URL{*cu}
	cfg.ListenPeerUrls = []url.URL{*pu}
	cfg.AdvertisePeerUrls = []url.URL{*pu}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	cfg.LogLevel = "error"
	cfg.LogOutputs = []string{filepath.Join(dir, "etcd.log")}
	cfg.UnsafeNoFsync = true
	etcd, err := embed.StartEtcd(cfg)
	if err != nil {
		return fmt.Errorf("etcd: %w", err)
	}
	defer etcd.Close()
	select {
	case <-etcd.Server.ReadyNotify():
	case <-time.After(60 * time.Second):
		return fmt.Errorf("etcd did not become ready")
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", port)
	apiLog, err := os.Create(filepath.Join(dir, "apiserver.log"))
	if err != nil {
		return err
	}
	api := exec.Command(self, "apiserver",
		"--etcd-servers="+cu.String(),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(port),
		"--cert-dir="+pki,
		"--tls-cert-file="+filepath.Join(pki, "server.crt"),
		"--tls-private-key-file="+filepath.Join(pki, "server.key"),
		"--client-ca-file="+filepath.Join(pki, "ca.crt"),
		"--token-auth-file="+filepath.Join(pki, "tokens.csv"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+filepath.Join(pki, "sa.pub"),
		"--service-account-signing-key-file="+filepath.Join(pki, "sa.key"),
		"--service-cluster-ip-range=10.0.0.0/16",
		"--authorization-mode=RBAC",
		"--disable-admission-plugins=ServiceAccount",
		"--profiling=false",
		"--v=1",
	)
	api.Stdout = apiLog
	api.Stderr = apiLog
	api.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := api.Start(); err != nil {
		return err
	}
	procs := []*exec.Cmd{api}
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			done := make(chan struct{})
			go func() { _ = p.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				_ = p.Process.Kill()
			}
		}
	}()
	exited := make(chan error, 2)
	go func() { exited <- fmt.Errorf("kube-apiserver exited: %v (see %s)", api.Wait(), apiLog.Name()) }()

	if err := waitReady(server, caPEM, token, exited); err != nil {
		return err
	}
	cfgPath := filepath.Join(dir, "kubeconfig")
	kc := kubeconfig(server, filepath.Join(pki, "ca.crt"), token)
	if controllers {
		kcmCfg := filepath.Join(dir, "controller-manager.kubeconfig")
		if err := os.WriteFile(kcmCfg, []byte(kc), 0o600); err != nil {
			return err
		}
		kcmLog, err := os.Create(filepath.Join(dir, "controller-manager.log"))
		if err != nil {
			return err
		}
		kcmPort, err := freePort()
		if err != nil {
			return err
		}
		kcm := exec.Command(self, "controller-manager",
			"--kubeconfig="+kcmCfg,
			"--authentication-kubeconfig="+kcmCfg,
			"--authorization-kubeconfig="+kcmCfg,
			"--bind-address=127.0.0.1",
			"--secure-port="+strconv.Itoa(kcmPort),
			"--cert-dir="+filepath.Join(dir, "kcm-certs"),
			"--leader-elect=false",
			"--controllers=namespace-controller,garbage-collector-controller",
			"--concurrent-gc-syncs=5",
			"--v=1",
		)
		kcm.Stdout = kcmLog
		kcm.Stderr = kcmLog
		kcm.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := kcm.Start(); err != nil {
			return err
		}
		procs = append(procs, kcm)
		go func() { exited <- fmt.Errorf("kube-controller-manager exited: %v (see %s)", kcm.Wait(), kcmLog.Name()) }()
	}
	tmp := cfgPath + ".tmp"
	if err := os.WriteFile(tmp, []byte(kc), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, cfgPath); err != nil {
		return err
	}
	fmt.Printf("kiln-test-cluster: ready at %s, kubeconfig %s\n", server, cfgPath)

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	select {
	case s := <-sig:
		fmt.Printf("kiln-test-cluster: %v, stopping\n", s)
		return nil
	case err := <-exited:
		return err
	case err := <-etcd.Err():
		return fmt.Errorf("etcd: %w", err)
	}
}

// waitReady polls /readyz until it answers 200 (or the API server exits, or two minutes pass).
func waitReady(server string, caPEM []byte, token string, exited chan error) error {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	client := &http.Client{
		Timeout:   5 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}},
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return err
		default:
		}
		req, _ := http.NewRequest("GET", server+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("kube-apiserver not ready after 2 minutes")
}
