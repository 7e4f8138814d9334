package main

import (
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"google.golang.org/grpc"
)

func plain(mux *http.ServeMux) {
	// ruleid: go-http-serve
	http.ListenAndServe(":8080", mux)
}

func withServer(mux *http.ServeMux) error {
	srv := &http.Server{Addr: ":8080", Handler: mux}
	// ruleid: go-http-serve
	return srv.ListenAndServe()
}

func withGRPC(lis net.Listener) {
	s := grpc.NewServer()
	// ruleid: go-http-serve
	s.Serve(lis)
}

func withGin() {
	r := gin.Default()
	// ruleid: go-http-serve
	r.Run(":8080")
}

func notAServer(c *http.Client) {
	// ok: go-http-serve
	c.Get("http://example.internal/")
}
