package httpapi

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// resolve answers POST /agentry/v1/resolve: what would serve a call now.
// It sits in a call path, so it reads only cached snapshots when it can,
// reads the usual body without the general decoder and encodes its answer
// by hand.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var b resolveBody
	if !b.fast(body) {
		if err := b.slow(r, body); err != nil {
			return err
		}
	}
	rr, err := b.request()
	if err != nil {
		return err
	}
	res, err := s.Service.Resolve(r.Context(), caller(r), rr)
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, appendResolution(make([]byte, 0, 256), res, rr))
	return nil
}

// resolveBody is a resolve request's fields as sent.
type resolveBody struct {
	phone, direction, from, to, agent string
	version                           json.RawMessage
}

// slow reads a body the general way: the schema's checks and messages.
func (b *resolveBody) slow(r *http.Request, body []byte) error {
	raw, err := schema.DecodeObject(body)
	if err != nil {
		return err
	}
	fields, err := checkRequest(r, schema.Resolve, agentry.Fields(raw))
	if err != nil {
		return err
	}
	for k, raw := range fields {
		switch k {
		case "phone_number":
			err = json.Unmarshal(raw, &b.phone)
		case "direction":
			err = json.Unmarshal(raw, &b.direction)
		case "from_number":
			err = json.Unmarshal(raw, &b.from)
		case "to_number":
			err = json.Unmarshal(raw, &b.to)
		case "agent_id":
			err = json.Unmarshal(raw, &b.agent)
		case "agent_version":
			b.version = raw
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// fast reads the body every call path sends: one JSON object of distinct,
// known fields whose values are printable ASCII strings without escapes (or
// digits, for agent_version) that meet the schema's rules. It reports false
// for anything else, which slow then reads (and refuses with the schema's
// message, where it must). What fast accepts, slow accepts alike
// (TestResolveBodyFastMatchesSlow).
func (b *resolveBody) fast(body []byte) bool {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return false
	}
	i = skipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return skipSpace(body, i+1) == len(body)
	}
	var seen uint8
	for {
		key, j, ok := plainString(body, i)
		if !ok {
			return false
		}
		i = skipSpace(body, j)
		if i >= len(body) || body[i] != ':' {
			return false
		}
		i = skipSpace(body, i+1)
		var val []byte
		isString := i < len(body) && body[i] == '"'
		if isString {
			if val, j, ok = plainString(body, i); !ok {
				return false
			}
		} else {
			for j = i; j < len(body) && body[j] >= '0' && body[j] <= '9'; j++ {
			}
			// A JSON integer has no leading zero; a long one goes the slow way.
			if val = body[i:j]; len(val) == 0 || len(val) > 15 || len(val) > 1 && val[0] == '0' {
				return false
			}
		}
		bit, field := b.field(string(key))
		if bit == 0 || seen&bit != 0 || !isString && bit != versionBit {
			return false
		}
		seen |= bit
		if field != nil {
			*field = string(val)
		} else {
			b.version = body[i:j:j]
		}
		i = skipSpace(body, j)
		if i < len(body) && body[i] == ',' {
			i = skipSpace(body, i+1)
			continue
		}
		if i >= len(body) || body[i] != '}' || skipSpace(body, i+1) != len(body) {
			return false
		}
		break
	}
	// The schema's rules on values: non-empty ids, the direction enum, the
	// version reference's pattern.
	if seen&phoneBit != 0 && b.phone == "" || seen&agentBit != 0 && b.agent == "" {
		return false
	}
	if _, ok := agentry.ParseDirection(b.direction); seen&directionBit != 0 && !ok {
		return false
	}
	if len(b.version) > 0 && b.version[0] == '"' {
		v := string(b.version[1 : len(b.version)-1])
		if len(v) == 0 || len(v) > 20 || !refPattern.MatchString(v) {
			return false
		}
	}
	return true
}

const (
	phoneBit uint8 = 1 << iota
	directionBit
	fromBit
	toBit
	agentBit
	versionBit
)

// field names the bit and the string field of a known key (nil for
// agent_version, kept raw); bit 0 for an unknown key.
func (b *resolveBody) field(key string) (uint8, *string) {
	switch key {
	case "phone_number":
		return phoneBit, &b.phone
	case "direction":
		return directionBit, &b.direction
	case "from_number":
		return fromBit, &b.from
	case "to_number":
		return toBit, &b.to
	case "agent_id":
		return agentBit, &b.agent
	case "agent_version":
		return versionBit, nil
	}
	return 0, nil
}

var refPattern = regexp.MustCompile(`^(latest|latest_published|[a-z][a-z0-9_-]{0,19})$`)

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// plainString reads a JSON string at b[i] made of printable ASCII without
// escapes; it returns its contents and the index after its closing quote.
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return nil, j, false
		}
	}
	return nil, len(b), false
}

// request checks which of the two forms the body has and makes the
// service's request of it.
func (b *resolveBody) request() (agentry.ResolveRequest, error) {
	var rr agentry.ResolveRequest
	switch {
	case b.phone != "" && b.agent != "":
		return rr, agentry.Errorf(agentry.EINVALID, "request body: give phone_number (with direction) or agent_id (with agent_version), not both")
	case b.phone != "":
		d, ok := agentry.ParseDirection(b.direction)
		if !ok {
			return rr, agentry.Errorf(agentry.EINVALID, "direction: is required with phone_number: inbound, outbound, inbound_sms or outbound_sms")
		}
		if len(b.version) > 0 {
			return rr, agentry.Errorf(agentry.EINVALID, "agent_version: goes with agent_id; a phone number's lists name their versions")
		}
		return agentry.ResolveRequest{PhoneNumber: b.phone, Direction: d, From: b.from, To: b.to}, nil
	case b.agent != "":
		if b.direction != "" || b.from != "" || b.to != "" {
			return rr, agentry.Errorf(agentry.EINVALID, "request body: direction, from_number and to_number go with phone_number, not agent_id")
		}
		rr = agentry.ResolveRequest{AgentID: b.agent}
		if len(b.version) > 0 {
			var err error
			if rr.Version, err = agentry.ParseBindingRef(b.version); err != nil {
				return rr, agentry.Errorf(agentry.EINVALID, "agent_version: %s", agentry.ErrorMessage(err))
			}
		}
		return rr, nil
	}
	return rr, agentry.Errorf(agentry.EINVALID, "request body: give phone_number and direction, or agent_id")
}

// appendResolution appends AgentryResolution.
func appendResolution(b []byte, res *agentry.Resolution, req agentry.ResolveRequest) []byte {
	b = append(b, `{"agent_id":`...)
	b = strconv.AppendQuote(b, res.AgentID)
	b = append(b, `,"agent_version":`...)
	b = strconv.AppendInt(b, res.Version, 10)
	b = append(b, `,"agent_tag":`...)
	if res.Tag == "" {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendQuote(b, res.Tag)
	}
	b = append(b, `,"dynamic_variables":`...)
	b = appendStringMap(b, res.Variables)
	b = append(b, `,"is_published":`...)
	b = strconv.AppendBool(b, res.Published)
	b = append(b, `,"channel":`...)
	b = strconv.AppendQuote(b, res.Kind.Name)
	if req.PhoneNumber != "" {
		b = append(b, `,"phone_number":`...)
		b = strconv.AppendQuote(b, req.PhoneNumber)
		b = append(b, `,"direction":`...)
		b = strconv.AppendQuote(b, string(req.Direction))
		b = append(b, `,"routing_mode":`...)
		b = strconv.AppendQuote(b, res.Mode)
		b = append(b, `,"entry":`...)
		b = strconv.AppendInt(b, int64(res.Entry), 10)
	}
	return append(b, '}')
}
