package main

import (
	"crypto/tls"
	"net/http"
)

func clients(debug bool, settings options) []*http.Client {
	insecure := &http.Client{Transport: &http.Transport{
		// ruleid: go-tls-insecure-skip-verify
		TLSClientConfig: &tls.Config{InsecureSkipVerify: true},
	}}
	cfg := &tls.Config{
		MinVersion: tls.VersionTLS12,
		// ruleid: go-tls-insecure-skip-verify
		InsecureSkipVerify: true,
	}
	// ruleid: go-tls-insecure-skip-verify
	cfg.InsecureSkipVerify = true
	strict := &tls.Config{
		// ok: go-tls-insecure-skip-verify
		InsecureSkipVerify: false,
		MinVersion:         tls.VersionTLS12,
	}
	_ = strict
	opted := &tls.Config{}
	if settings.IgnoreTLSErrors {
		// ruleid: go-tls-insecure-skip-verify, go-tls-insecure-opt-in
		opted.InsecureSkipVerify = true
	}
	if settings.Insecure {
		// ruleid: go-tls-insecure-skip-verify, go-tls-insecure-opt-in
		opted.InsecureSkipVerify = true
	} else {
		opted.MinVersion = tls.VersionTLS12
	}
	if settings.VerifyCert {
		opted.MinVersion = tls.VersionTLS12
	} else {
		// ruleid: go-tls-insecure-skip-verify
		opted.InsecureSkipVerify = true
	}
	_ = opted
	return []*http.Client{insecure, {Transport: &http.Transport{TLSClientConfig: cfg}}}
}
