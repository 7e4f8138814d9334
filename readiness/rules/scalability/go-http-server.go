package main

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
)

func serve(mux *http.ServeMux) {
	// ruleid: go-http-server-config
	srv := &http.Server{
		Addr:              ":8080",
		Handler:           mux,
		ReadHeaderTimeout: 2 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	go srv.ListenAndServe()
	// ruleid: go-serve-without-timeouts
	http.ListenAndServe(":9090", mux)
	r := gin.Default()
	// ruleid: go-serve-without-timeouts
	r.Run(":8081")
	// ok: go-serve-without-timeouts
	srv.ListenAndServe()
}
