package main

import (
	"bytes"
	"net/http"
	"time"
)

type exchange struct{ client *http.Client }

func clients(url string) {
	// ruleid: go-client-no-timeout
	ex := &exchange{client: &http.Client{}}
	// ruleid: go-client-with-timeout
	bounded := &http.Client{Timeout: 2 * time.Second}
	// ruleid: go-client-with-timeout
	_ = &http.Client{Timeout: 40 * time.Millisecond, Transport: http.DefaultTransport}
	// ok: go-client-no-timeout
	later := &http.Client{}
	later.Timeout = time.Second
	// ruleid: go-default-client
	http.Post(url, "application/json", bytes.NewReader(nil))
	// ruleid: go-default-client
	http.DefaultClient.Do(nil)
	// ok: go-default-client
	bounded.Get(url)
	// ruleid: go-client-no-timeout
	_ = new(http.Client)
	_ = ex
}
