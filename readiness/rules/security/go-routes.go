package main

import (
	"github.com/gorilla/mux"
	"net/http"

	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/go-chi/httprate"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
)

func std(s *server) http.Handler {
	mux := http.NewServeMux()
	// ruleid: go-route
	mux.HandleFunc("/openrtb2/auction", s.handleAuction)
	// ruleid: go-route, go-route-auth
	mux.Handle("PUT /admin/v1/floor", s.admin.require(http.HandlerFunc(s.handleSet)))
	// ruleid: go-route, go-route-auth
	mux.Handle("DELETE /admin/v1/floor",
		s.admin.require(http.HandlerFunc(s.handleDelete)))
	// ruleid: go-route, go-route-rate-limit
	mux.Handle("/login", httprate.LimitByIP(5, time.Minute)(http.HandlerFunc(s.handleLogin)))
	return mux
}

func prefixed(s *server, r *mux.Router) {
	// ruleid: go-route
	r.HandleFunc(s.prefixedPath("/env"), s.handleEnv).Methods("GET")
	// ruleid: go-route
	r.PathPrefix(s.prefixedPath("/debug/pprof/")).Handler(http.DefaultServeMux)
}

func wrapped(s *server) http.Handler {
	mux := http.NewServeMux()
	// ruleid: go-route, go-route-auth
	mux.HandleFunc("/internal", s.handleInternal)
	return requireAuth(mux)
}

func chiRoutes(s *server) http.Handler {
	r := chi.NewRouter()
	// ruleid: go-route
	r.Get("/public", s.handlePublic)
	// ruleid: go-route, go-route-auth
	r.With(jwtAuth).Post("/orders", s.handleOrders)
	r.Group(func(r chi.Router) {
		r.Use(authMiddleware)
		// ruleid: go-route, go-route-auth
		r.Get("/accounts", s.handleAccounts)
	})
	return r
}

func ginRoutes(s *server) {
	r := gin.New()
	// ruleid: go-route
	r.GET("/open", s.ginOpen)
	// ok: go-route, go-route-auth
	admin := r.Group("/admin", gin.BasicAuth(gin.Accounts{"ops": "from-env"}))
	// ruleid: go-route, go-route-auth
	admin.POST("/reload", s.ginReload)
	v1 := r.Group("/v1")
	// ruleid: go-route, go-route-auth
	v1.POST("/items", authRequired(), s.ginItems)
	// ok: go-route
	r.Use(gin.Recovery())
}

func echoRoutes(s *server) {
	e := echo.New()
	g := e.Group("/api")
	g.Use(middleware.KeyAuth(validate))
	// ruleid: go-route, go-route-auth
	g.GET("/things", s.echoThings)
	// ruleid: go-route
	e.POST("/token", s.echoToken)
}

func notRoutes(r *http.Request, c *http.Client) {
	// ok: go-route
	_ = r.Header.Get("X-Request-ID")
	// ok: go-route
	_, _ = c.Get("http://floors:8000/v1/floors")
	// ok: go-route
	_ = cache.Get("key", defaultValue)
}
