package main

import (
	"context"
	"log"
	"net/http"

	"github.com/gin-gonic/gin"
)

type exchange struct{}

func (ex *exchange) handleAuction(w http.ResponseWriter, r *http.Request) {
	// ruleid: go-handler-goroutine
	go func() {
		ex.record(context.Background())
	}()
	// ruleid: go-handler-goroutine
	go func() {
		defer func() {
			// ruleid: go-deferred-recover
			if p := recover(); p != nil {
				log.Printf("panic: %v", p)
			}
		}()
		ex.record(context.Background())
	}()
	// ruleid: go-handler-goroutine
	go ex.record(context.Background())
	w.WriteHeader(http.StatusNoContent)
}

func (ex *exchange) record(ctx context.Context) {
	// ruleid: go-deferred-recover
	defer recoverPanic()
}

func recoverPanic() {
	// ok: go-deferred-recover
	_ = recover()
}

func routes(mux *http.ServeMux, r *gin.Engine) {
	mux.HandleFunc("/x", func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-handler-goroutine
		go audit(r.URL.Path)
	})
	r.POST("/y", func(c *gin.Context) {
		// ruleid: go-handler-goroutine
		go audit(c.FullPath())
	})
}

func main() {
	// ok: go-handler-goroutine
	go func() { _ = http.ListenAndServe(":8080", nil) }()
}

func audit(string) {}
