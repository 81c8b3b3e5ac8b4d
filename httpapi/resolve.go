package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// resolve answers POST /agentry/v1/resolve: what would serve a call now.
// It sits in a call path, so it reads only cached snapshots when it can and
// encodes its answer by hand.
func (s *Server) resolve(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.Resolve)
	if err != nil {
		return err
	}
	var req struct {
		PhoneNumber  string          `json:"phone_number"`
		Direction    string          `json:"direction"`
		From         string          `json:"from_number"`
		To           string          `json:"to_number"`
		AgentID      string          `json:"agent_id"`
		AgentVersion json.RawMessage `json:"agent_version"`
	}
	for k, raw := range fields {
		switch k {
		case "phone_number":
			err = json.Unmarshal(raw, &req.PhoneNumber)
		case "direction":
			err = json.Unmarshal(raw, &req.Direction)
		case "from_number":
			err = json.Unmarshal(raw, &req.From)
		case "to_number":
			err = json.Unmarshal(raw, &req.To)
		case "agent_id":
			err = json.Unmarshal(raw, &req.AgentID)
		case "agent_version":
			req.AgentVersion = raw
		}
		if err != nil {
			return err
		}
	}
	var rr agentry.ResolveRequest
	switch {
	case req.PhoneNumber != "" && req.AgentID != "":
		return agentry.Errorf(agentry.EINVALID, "request body: give phone_number (with direction) or agent_id (with agent_version), not both")
	case req.PhoneNumber != "":
		d, ok := agentry.ParseDirection(req.Direction)
		if !ok {
			return agentry.Errorf(agentry.EINVALID, "direction: is required with phone_number: inbound, outbound, inbound_sms or outbound_sms")
		}
		if len(req.AgentVersion) > 0 {
			return agentry.Errorf(agentry.EINVALID, "agent_version: goes with agent_id; a phone number's lists name their versions")
		}
		rr = agentry.ResolveRequest{PhoneNumber: req.PhoneNumber, Direction: d, From: req.From, To: req.To}
	case req.AgentID != "":
		if req.Direction != "" || req.From != "" || req.To != "" {
			return agentry.Errorf(agentry.EINVALID, "request body: direction, from_number and to_number go with phone_number, not agent_id")
		}
		rr = agentry.ResolveRequest{AgentID: req.AgentID}
		if len(req.AgentVersion) > 0 {
			if rr.Version, err = agentry.ParseBindingRef(req.AgentVersion); err != nil {
				return agentry.Errorf(agentry.EINVALID, "agent_version: %s", agentry.ErrorMessage(err))
			}
		}
	default:
		return agentry.Errorf(agentry.EINVALID, "request body: give phone_number and direction, or agent_id")
	}
	res, err := s.Service.Resolve(r.Context(), caller(r), rr)
	if err != nil {
		return err
	}
	writeRaw(w, http.StatusOK, appendResolution(make([]byte, 0, 256), res, rr))
	return nil
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
	vars, _ := json.Marshal(res.Variables)
	b = append(b, vars...)
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
