package main

import "encoding/json"

// OpenRTB 2.5 objects used by the exchange.

type BidRequest struct {
	ID     string   `json:"id"`
	Imp    []Imp    `json:"imp"`
	Site   *Site    `json:"site,omitempty"`
	App    *App     `json:"app,omitempty"`
	Device *Device  `json:"device,omitempty"`
	User   *User    `json:"user,omitempty"`
	Regs   *Regs    `json:"regs,omitempty"`
	AT     int      `json:"at,omitempty"`
	TMax   int      `json:"tmax,omitempty"`
	Cur    []string `json:"cur,omitempty"`
	BCat   []string `json:"bcat,omitempty"`
	BAdv   []string `json:"badv,omitempty"`
}

type Imp struct {
	ID          string  `json:"id"`
	Banner      *Banner `json:"banner,omitempty"`
	Video       *Video  `json:"video,omitempty"`
	TagID       string  `json:"tagid,omitempty"`
	BidFloor    float64 `json:"bidfloor,omitempty"`
	BidFloorCur string  `json:"bidfloorcur,omitempty"`
	Secure      *int    `json:"secure,omitempty"`
}

type Banner struct {
	W      int      `json:"w,omitempty"`
	H      int      `json:"h,omitempty"`
	Format []Format `json:"format,omitempty"`
	Pos    int      `json:"pos,omitempty"`
}

type Format struct {
	W int `json:"w"`
	H int `json:"h"`
}

type Video struct {
	Mimes       []string `json:"mimes"`
	MinDuration int      `json:"minduration,omitempty"`
	MaxDuration int      `json:"maxduration,omitempty"`
	Protocols   []int    `json:"protocols,omitempty"`
	W           int      `json:"w,omitempty"`
	H           int      `json:"h,omitempty"`
}

type Site struct {
	ID        string     `json:"id,omitempty"`
	Domain    string     `json:"domain,omitempty"`
	Page      string     `json:"page,omitempty"`
	Cat       []string   `json:"cat,omitempty"`
	Publisher *Publisher `json:"publisher,omitempty"`
}

type App struct {
	ID        string     `json:"id,omitempty"`
	Bundle    string     `json:"bundle,omitempty"`
	StoreURL  string     `json:"storeurl,omitempty"`
	Publisher *Publisher `json:"publisher,omitempty"`
}

type Publisher struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type Device struct {
	UA         string `json:"ua,omitempty"`
	IP         string `json:"ip,omitempty"`
	IPv6       string `json:"ipv6,omitempty"`
	IFA        string `json:"ifa,omitempty"`
	OS         string `json:"os,omitempty"`
	Make       string `json:"make,omitempty"`
	Model      string `json:"model,omitempty"`
	DeviceType int    `json:"devicetype,omitempty"`
	Lmt        int    `json:"lmt,omitempty"`
	Geo        *Geo   `json:"geo,omitempty"`
}

type Geo struct {
	Lat     float64 `json:"lat,omitempty"`
	Lon     float64 `json:"lon,omitempty"`
	Country string  `json:"country,omitempty"`
	Region  string  `json:"region,omitempty"`
	City    string  `json:"city,omitempty"`
	ZIP     string  `json:"zip,omitempty"`
	Type    int     `json:"type,omitempty"`
}

type User struct {
	ID       string   `json:"id,omitempty"`
	BuyerUID string   `json:"buyeruid,omitempty"`
	Ext      *UserExt `json:"ext,omitempty"`
}

type UserExt struct {
	Consent string `json:"consent,omitempty"`
}

type Regs struct {
	COPPA int      `json:"coppa,omitempty"`
	Ext   *RegsExt `json:"ext,omitempty"`
}

type RegsExt struct {
	GDPR *int `json:"gdpr,omitempty"`
}

type BidResponse struct {
	ID      string          `json:"id"`
	SeatBid []SeatBid       `json:"seatbid,omitempty"`
	BidID   string          `json:"bidid,omitempty"`
	Cur     string          `json:"cur,omitempty"`
	Ext     json.RawMessage `json:"ext,omitempty"`
}

type SeatBid struct {
	Bid  []Bid  `json:"bid"`
	Seat string `json:"seat,omitempty"`
}

type Bid struct {
	ID      string   `json:"id"`
	ImpID   string   `json:"impid"`
	Price   float64  `json:"price"`
	AdID    string   `json:"adid,omitempty"`
	NURL    string   `json:"nurl,omitempty"`
	AdM     string   `json:"adm,omitempty"`
	ADomain []string `json:"adomain,omitempty"`
	CrID    string   `json:"crid,omitempty"`
	W       int      `json:"w,omitempty"`
	H       int      `json:"h,omitempty"`
}

func (r *BidRequest) PublisherID() string {
	if r.Site != nil && r.Site.Publisher != nil {
		return r.Site.Publisher.ID
	}
	if r.App != nil && r.App.Publisher != nil {
		return r.App.Publisher.ID
	}
	return ""
}
