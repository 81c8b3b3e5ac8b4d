package agentry

import (
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
)

// The fields of create-phone-number, import-phone-number and
// update-phone-number, after package schema checked their types, enums and
// shapes: how they become a Phone. Request-only fields (area_code,
// country_code, toll_free, number_provider, ignore_e164_validation) choose
// the number and its type; the SIP fields of a request are answered inside
// sip_outbound_trunk_config, and the SIP password never.

var (
	e164     = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
	nanp     = regexp.MustCompile(`^\+1([2-9][0-9]{2})[2-9][0-9]{6}$`)
	pseudo   = regexp.MustCompile(`^[!-~]{1,64}$`)
	isoAlpha = regexp.MustCompile(`^[A-Z]{2}$`)
)

// Area codes a number can be bought in: Canada's (geographic), the
// North American toll-free codes, and a set of United States codes that
// agentry picks from when the request names none.
var (
	canadaAreaCodes = []int{204, 226, 236, 249, 250, 263, 289, 306, 343, 354, 365, 367, 368, 382, 403, 416, 418, 428,
		431, 437, 438, 450, 468, 474, 506, 514, 519, 548, 579, 581, 584, 587, 604, 613, 639, 647, 672, 683, 705, 709,
		742, 753, 778, 780, 782, 807, 819, 825, 867, 873, 879, 902, 905}
	tollFreeAreaCodes = []int{800, 833, 844, 855, 866, 877, 888}
	usDefaultCodes    = []int{206, 212, 213, 305, 312, 404, 415, 512, 602, 617, 646, 702, 713, 720, 818, 858, 917, 929}
)

// PhoneNumberPretty writes a North American number as +1 (415) 777-4444;
// any other number as it is.
func PhoneNumberPretty(n string) string {
	if !nanp.MatchString(n) {
		return n
	}
	return "+1 (" + n[2:5] + ") " + n[5:8] + "-" + n[8:]
}

// CreatePhone buys a number (create-phone-number): agentry invents one in
// the area code and country asked for (or takes the one asked for), unique
// within the server, and binds the lists sent.
func (s *Service) CreatePhone(ctx context.Context, c Caller, f Fields) (*Phone, error) {
	var req struct {
		AreaCode    *int   `json:"area_code"`
		CountryCode string `json:"country_code"`
		TollFree    bool   `json:"toll_free"`
		Provider    string `json:"number_provider"`
		PhoneNumber string `json:"phone_number"`
	}
	if err := decodeFields(f, &req); err != nil {
		return nil, err
	}
	if req.CountryCode == "" {
		req.CountryCode = "US"
	}
	kind := "retell-twilio"
	if req.Provider == "telnyx" {
		kind = "retell-telnyx"
	}
	if req.AreaCode != nil {
		if err := checkAreaCode(*req.AreaCode, req.CountryCode, req.TollFree); err != nil {
			return nil, err
		}
	}
	if req.PhoneNumber != "" {
		m := nanp.FindStringSubmatch(req.PhoneNumber)
		if m == nil {
			return nil, Errorf(EINVALID, "phone_number: %q is not a North American number in E.164 form (+1 and 10 digits); only US and CA numbers can be bought", req.PhoneNumber)
		}
		code, _ := strconv.Atoi(m[1])
		if req.AreaCode != nil && *req.AreaCode != code {
			return nil, Errorf(EINVALID, "phone_number: %s is not in area_code %d", req.PhoneNumber, *req.AreaCode)
		}
		if err := checkAreaCode(code, req.CountryCode, req.TollFree); err != nil {
			return nil, Errorf(EINVALID, "phone_number: %s", err.(*Error).Message)
		}
		return s.createPhone(ctx, c, f, req.PhoneNumber, kind, code)
	}
	var code int
	for range 20 {
		code = pickAreaCode(req.AreaCode, req.CountryCode, req.TollFree)
		exchange := 200 + rand.IntN(800)
		if exchange%100 == 11 { // N11 codes are service codes, not exchanges
			exchange++
		}
		number := "+1" + strconv.Itoa(code) + strconv.Itoa(exchange) + strconv.Itoa(10000 + rand.IntN(10000))[1:]
		p, err := s.createPhone(ctx, c, f, number, kind, code)
		if !errors.Is(err, ErrDuplicate) {
			return p, err
		}
	}
	return nil, Errorf(EINVALID, "area_code: no free number found in area code %d after 20 tries; try another", code)
}

func (s *Service) createPhone(ctx context.Context, c Caller, f Fields, number, kind string, areaCode int) (*Phone, error) {
	return s.writePhone(ctx, c, number, true, func(tx Tx, _ *Phone) (*Phone, error) {
		p := &Phone{WorkspaceID: c.Workspace, Number: number, Type: kind, Mode: ModeRandom}
		config := Fields{"area_code": json.RawMessage(strconv.Itoa(areaCode))}
		if err := applyPhoneFields(p, config, f); err != nil {
			return nil, err
		}
		return p, encodePhone(p, config)
	})
}

// ImportPhone imports the caller's number from custom telephony
// (import-phone-number). Its form is checked as E.164 only when
// ignore_e164_validation is false: the reference makes true the default, for
// pseudo numbers.
func (s *Service) ImportPhone(ctx context.Context, c Caller, f Fields) (*Phone, error) {
	var req struct {
		PhoneNumber    string `json:"phone_number"`
		IgnoreE164     *bool  `json:"ignore_e164_validation"`
		TerminationURI string `json:"termination_uri"`
	}
	if err := decodeFields(f, &req); err != nil {
		return nil, err
	}
	if req.IgnoreE164 != nil && !*req.IgnoreE164 {
		if !e164.MatchString(req.PhoneNumber) {
			return nil, Errorf(EINVALID, "phone_number: %q is not in E.164 form (+, country code and number, 7 to 15 digits, nothing else); set ignore_e164_validation to import a pseudo number", req.PhoneNumber)
		}
	} else if !pseudo.MatchString(req.PhoneNumber) || slices.ContainsFunc([]byte(req.PhoneNumber), func(b byte) bool { return b == '/' || b == '?' || b == '#' || b == '%' || b == '\\' }) {
		return nil, Errorf(EINVALID, "phone_number: %q must be 1 to 64 visible ASCII characters without / ? # %% or \\ (it names the number in URLs)", req.PhoneNumber)
	}
	if req.TerminationURI == "" {
		return nil, Errorf(EINVALID, "termination_uri: must not be empty")
	}
	return s.writePhone(ctx, c, req.PhoneNumber, true, func(tx Tx, _ *Phone) (*Phone, error) {
		p := &Phone{WorkspaceID: c.Workspace, Number: req.PhoneNumber, Type: "custom", Mode: ModeRandom}
		config := Fields{}
		if err := applyPhoneFields(p, config, f); err != nil {
			return nil, err
		}
		return p, encodePhone(p, config)
	})
}

// UpdatePhone applies a patch to a number (update-phone-number): an absent
// field is unchanged, null clears a nullable one.
func (s *Service) UpdatePhone(ctx context.Context, c Caller, number string, f Fields) (*Phone, error) {
	return s.writePhone(ctx, c, number, false, func(tx Tx, cur *Phone) (*Phone, error) {
		p := *cur
		config := Fields{}
		if err := json.Unmarshal(cur.Config, &config); err != nil {
			return nil, err
		}
		lists := map[Direction][]Binding{}
		for d, l := range cur.Lists {
			lists[d] = l
		}
		p.Lists = lists
		if err := applyPhoneFields(&p, config, f); err != nil {
			return nil, err
		}
		return &p, encodePhone(&p, config)
	})
}

// applyPhoneFields applies request fields to a number and its config.
func applyPhoneFields(p *Phone, config, f Fields) error {
	if p.Lists == nil {
		p.Lists = map[Direction][]Binding{}
	}
	// retell-sdk 4.x's single-agent fields become the lists they stand for.
	f, single, err := takeSingleFields(f, p.Lists)
	if err != nil {
		return err
	}
	p.fromSingle = single
	sip := Fields{}
	if raw, ok := config["sip_outbound_trunk_config"]; ok {
		if err := json.Unmarshal(raw, &sip); err != nil {
			return err
		}
	}
	for key, raw := range f {
		null := string(raw) == "null"
		if d, ok := listDirection(key); ok {
			list, err := ParseBindings(key, raw)
			if err != nil {
				return err
			}
			p.Lists[d] = list
			setOrClear(config, key, raw, null)
			continue
		}
		switch key {
		case "nickname", "inbound_webhook_url", "inbound_sms_webhook_url":
			setOrClear(config, key, raw, null)
		case "allowed_inbound_country_list", "allowed_outbound_country_list":
			var codes []string
			_ = json.Unmarshal(raw, &codes)
			for i, code := range codes {
				if !isoAlpha.MatchString(code) {
					return Errorf(EINVALID, "%s[%d]: %q is not an ISO 3166-1 alpha-2 country code (two capital letters, such as US)", key, i, code)
				}
			}
			setOrClear(config, key, raw, null)
		case "fallback_number":
			p.Fallback = ""
			if !null {
				_ = json.Unmarshal(raw, &p.Fallback)
				if !e164.MatchString(p.Fallback) {
					return Errorf(EINVALID, "fallback_number: %q is not a phone number in E.164 form (+, country code and number, 7 to 15 digits)", p.Fallback)
				}
			}
			setOrClear(config, key, raw, null)
		case "transport":
			if !null {
				var t string
				_ = json.Unmarshal(raw, &t)
				if t != "TLS" && t != "TCP" && t != "UDP" {
					return Errorf(EINVALID, "transport: must be one of TLS, TCP, UDP, got %q", t)
				}
			}
			setOrClear(sip, "transport", raw, null)
		case "termination_uri":
			var uri string
			_ = json.Unmarshal(raw, &uri)
			if uri == "" {
				return Errorf(EINVALID, "termination_uri: must not be empty")
			}
			sip["termination_uri"] = raw
		case "auth_username", "sip_trunk_auth_username":
			sip["auth_username"] = raw
		case "auth_password", "sip_trunk_auth_password":
			_ = json.Unmarshal(raw, &p.SIPPassword)
		}
	}
	if len(sip) > 0 {
		b, err := json.Marshal(sip)
		if err != nil {
			return err
		}
		config["sip_outbound_trunk_config"] = b
	} else {
		delete(config, "sip_outbound_trunk_config")
	}
	return nil
}

func setOrClear(m Fields, key string, raw json.RawMessage, null bool) {
	if null {
		delete(m, key)
	} else {
		m[key] = raw
	}
}

func encodePhone(p *Phone, config Fields) error {
	b, err := json.Marshal(config)
	p.Config = b
	return err
}

// listDirection returns the direction whose list field is key.
func listDirection(key string) (Direction, bool) {
	for _, d := range Directions {
		if d.Field() == key {
			return d, true
		}
	}
	return "", false
}

// ParseBindings reads a binding list (its shape already checked: objects
// of agent_id, optional agent_version, weight) and applies the list rules
// that need no database. null is an empty list.
func ParseBindings(field string, raw json.RawMessage) ([]Binding, error) {
	var items []struct {
		AgentID string          `json:"agent_id"`
		Version json.RawMessage `json:"agent_version"`
		Weight  float64         `json:"weight"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, Errorf(EINVALID, "%s: %v", field, err)
	}
	out := make([]Binding, 0, len(items))
	for i, it := range items {
		b := Binding{AgentID: it.AgentID, Weight: it.Weight, Version: VersionRef{Form: RefLatest}}
		if len(it.Version) > 0 && string(it.Version) != "null" {
			ref, err := ParseBindingRef(it.Version)
			if err != nil {
				return nil, Errorf(EINVALID, "%s[%d].agent_version: %s", field, i, err.(*Error).Message)
			}
			b.Version = ref
		}
		out = append(out, b)
	}
	if len(out) == 0 {
		out = nil
	}
	return out, checkWeights(field, out)
}

// ParseBindingRef reads an agent_version as JSON: a non-negative integer,
// latest, latest_published or a tag name (a string of digits is neither).
func ParseBindingRef(raw json.RawMessage) (VersionRef, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" || s[0] >= '0' && s[0] <= '9' || s[0] == '-' {
			return VersionRef{}, Errorf(EINVALID, "%q is not a version reference: use a number (not a string), latest, latest_published or a tag name", s)
		}
		ref, err := ParseVersionRef(s)
		if err != nil {
			return VersionRef{}, Errorf(EINVALID, "%q is not a version reference: use a number, latest, latest_published or a tag name matching [a-z][a-z0-9_-]{0,19} (not v followed by digits)", s)
		}
		return ref, nil
	}
	var f float64
	if err := json.Unmarshal(raw, &f); err != nil || f < 0 || f != float64(int64(f)) {
		return VersionRef{}, Errorf(EINVALID, "must be a non-negative integer or a string reference, got %s", raw)
	}
	return VersionRef{Form: RefNumber, Number: int64(f)}, nil
}

func decodeFields(f Fields, v any) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return Errorf(EINVALID, "request body: %v", err)
	}
	return nil
}

// checkAreaCode checks that a number can be bought in code: a toll-free
// code exactly when toll_free is set, else a geographic code of the country.
func checkAreaCode(code int, country string, tollFree bool) error {
	isTollFree := slices.Contains(tollFreeAreaCodes, code)
	inCanada := slices.Contains(canadaAreaCodes, code)
	switch {
	case code < 200 || code > 999:
		return Errorf(EINVALID, "area_code: must be a 3-digit North American area code, got %d", code)
	case tollFree && !isTollFree:
		return Errorf(EINVALID, "area_code: %d is not a toll-free area code (800, 833, 844, 855, 866, 877, 888), and toll_free is set", code)
	case tollFree:
		return nil
	case isTollFree:
		return Errorf(EINVALID, "area_code: %d is a toll-free area code; set toll_free to buy a toll-free number", code)
	case code%100 == 11 || code/10%10 == 9:
		return Errorf(EINVALID, "area_code: %d is not a geographic area code", code)
	case country == "CA" && !inCanada:
		return Errorf(EINVALID, "area_code: %d is not a Canadian area code, and country_code is CA", code)
	case country == "US" && inCanada:
		return Errorf(EINVALID, "area_code: %d is a Canadian area code; set country_code to CA", code)
	}
	return nil
}

// pickAreaCode returns the code asked for, or one the country has.
func pickAreaCode(asked *int, country string, tollFree bool) int {
	switch {
	case asked != nil:
		return *asked
	case tollFree:
		return tollFreeAreaCodes[rand.IntN(len(tollFreeAreaCodes))]
	case country == "CA":
		return canadaAreaCodes[rand.IntN(len(canadaAreaCodes))]
	}
	return usDefaultCodes[rand.IntN(len(usDefaultCodes))]
}
