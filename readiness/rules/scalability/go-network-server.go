package main

import (
	"net"
	"net/http"

	"github.com/gin-gonic/gin"
	"google.golang.org/grpc"
)

func plain(mux *http.ServeMux) {
	// ruleid: go-network-server
	http.ListenAndServe(":8080", mux)
}

func listen(srv *http.Server) error {
	// ruleid: go-network-server
	return srv.ListenAndServe()
}

func withGRPC(lis net.Listener) {
	s := grpc.NewServer()
	// ruleid: go-network-server
	s.Serve(lis)
}

func withGin() {
	r := gin.Default()
	// ruleid: go-network-server
	r.Run(":8080")
}

func client(c *http.Client) {
	// ok: go-network-server
	c.Get("http://example.internal/")
}
