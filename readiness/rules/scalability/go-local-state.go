package main

import (
	"net/http"
	"os"
	"sync"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/sessions"
)

var carts = map[string][]string{}

var (
	visits = make(map[string]int)
	seen   sync.Map
)

// ruleid: go-inprocess-session-store
var store = sessions.NewFilesystemStore("/var/sessions", []byte("key"))

// ok: go-inprocess-session-store
var cookies = sessions.NewCookieStore([]byte("key"))

var lastSeen sync.Map

func addToCart(w http.ResponseWriter, r *http.Request) {
	user := r.URL.Query().Get("user")
	// ruleid: go-handler-map-write
	carts[user] = append(carts[user], r.URL.Query().Get("item"))
	// ruleid: go-handler-map-write
	visits[user]++
	// ruleid: go-handler-map-write
	seen.Store(user, true)
	// ruleid: go-handler-map-write
	lastSeen.Store(user, 1)
	local := map[string]int{}
	// ok: go-handler-map-write
	local[user] = 1
	// ruleid: go-handler-disk-write
	os.WriteFile("/data/"+user, []byte("x"), 0o600)
	// ruleid: go-handler-disk-write
	f, _ := os.OpenFile("/data/log", os.O_APPEND|os.O_WRONLY, 0o600)
	defer f.Close()
}

func ginHandler(c *gin.Context) {
	// ruleid: go-handler-map-write
	delete(visits, c.Param("user"))
}

func startup() {
	// ok: go-handler-map-write
	carts["warmup"] = nil
	// ok: go-handler-disk-write
	os.WriteFile("/tmp/pid", []byte("1"), 0o600)
	// ok: go-handler-disk-write
	os.OpenFile("/etc/config", os.O_RDONLY, 0)
}
