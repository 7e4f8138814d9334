package bidder

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	toxiproxy "github.com/Shopify/toxiproxy/v2/client"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
)

func TestAuctionWithoutRedis(t *testing.T) {
	mr := miniredis.RunT(t)
	ex := newExchange(mr.Addr())
	// ruleid: go-test-redis-down
	mr.Close()
	if ex.auction() == nil {
		t.Fatal("auction must degrade, not fail, when Redis is down")
	}
}

func TestRedisErrors(t *testing.T) {
	mr, err := miniredis.Run()
	if err != nil {
		t.Fatal(err)
	}
	// ok: go-test-redis-down
	defer mr.Close()
	// ruleid: go-test-redis-down
	mr.SetError("LOADING")
}

func TestRedisContainerStops(t *testing.T) {
	ctx := context.Background()
	c, err := tcredis.Run(ctx, "redis:7.2")
	if err != nil {
		t.Fatal(err)
	}
	// ok: go-test-redis-down
	t.Cleanup(func() { _ = c.Terminate(ctx) })
	// ruleid: go-test-redis-down
	_ = c.Stop(ctx, nil)
}

func TestRedisProxyDown(t *testing.T) {
	client := toxiproxy.NewClient("localhost:8474")
	proxy, err := client.CreateProxy("redis", "localhost:26379", "redis:6379")
	if err != nil {
		t.Fatal(err)
	}
	// ruleid: go-test-redis-down
	_ = proxy.Disable()
}

func TestSlowBidder(t *testing.T) {
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ruleid: go-test-slow-upstream
		time.Sleep(300 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer slow.Close()
	fast := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ok: go-test-slow-upstream
		w.WriteHeader(http.StatusNoContent)
	}))
	defer fast.Close()
	// ok: go-test-slow-upstream
	time.Sleep(10 * time.Millisecond)
}

func TestBidderLatency(t *testing.T) {
	client := toxiproxy.NewClient("localhost:8474")
	proxy, _ := client.CreateProxy("dsp-alpha", "localhost:28080", "dsp-alpha:8080")
	// ruleid: go-test-slow-upstream
	_, _ = proxy.AddToxic("slow", "latency", "downstream", 1, toxiproxy.Attributes{"latency": 500})
}
