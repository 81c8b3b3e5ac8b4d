package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/agentry/agentry"
	"github.com/agentry/agentry/schema"
)

// Phone numbers: Retell's six operations, and agentry's routing mode of a
// number. The rules are the service's (phones.go); these handlers decode,
// check shapes and encode.

func (s *Server) createPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.CreatePhoneNumber)
	if err != nil {
		return err
	}
	p, err := s.Service.CreatePhone(r.Context(), caller(r), fields)
	if err != nil {
		return err
	}
	return s.writePhone(w, r, http.StatusCreated, p)
}

func (s *Server) importPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.ImportPhoneNumber)
	if err != nil {
		return err
	}
	p, err := s.Service.ImportPhone(r.Context(), caller(r), fields)
	if err != nil {
		return err
	}
	return s.writePhone(w, r, http.StatusCreated, p)
}

func (s *Server) getPhoneNumber(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Service.GetPhone(r.Context(), caller(r), r.PathValue("phone_number"))
	if err != nil {
		return err
	}
	return s.writePhone(w, r, http.StatusOK, p)
}

func (s *Server) updatePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeFields(r)
	if err != nil {
		return err
	}
	if fields, err = checkRequestAs(r, schema.UpdatePhoneNumber, fields, schema.Update); err != nil {
		return err
	}
	p, err := s.Service.UpdatePhone(r.Context(), caller(r), r.PathValue("phone_number"), fields)
	if err != nil {
		return err
	}
	return s.writePhone(w, r, http.StatusOK, p)
}

func (s *Server) listPhoneNumbers(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := agentry.ParsePageRequest(q.Get("limit"), q.Get("sort_order"), q.Get("pagination_key"), true)
	if err != nil {
		return err
	}
	res, err := s.Service.ListPhones(r.Context(), caller(r), page)
	if err != nil {
		return err
	}
	if err := s.fillSingleAgents(r, res.Items); err != nil {
		return err
	}
	writePage(w, res, 512*len(res.Items), appendPhone)
	return nil
}

func (s *Server) deletePhoneNumber(w http.ResponseWriter, r *http.Request) error {
	if err := s.Service.DeletePhone(r.Context(), caller(r), r.PathValue("phone_number")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// writePhone answers one phone number, with its single-agent fields.
func (s *Server) writePhone(w http.ResponseWriter, r *http.Request, status int, p *agentry.Phone) error {
	if err := s.Service.FillSingleAgents(r.Context(), caller(r), p); err != nil {
		return err
	}
	writeRaw(w, status, appendPhone(nil, p))
	return nil
}

// fillSingleAgents sets the single-agent fields of the phone numbers of a
// list.
func (s *Server) fillSingleAgents(r *http.Request, phones []agentry.Phone) error {
	ptrs := make([]*agentry.Phone, len(phones))
	for i := range phones {
		ptrs[i] = &phones[i]
	}
	return s.Service.FillSingleAgents(r.Context(), caller(r), ptrs...)
}

// appendPhone appends PhoneNumberResponse: the number, its type, its pretty
// form and the timestamp, retell-sdk 4.x's single-agent fields when they are
// filled (agentry.Service.FillSingleAgents), then the stored fields.
func appendPhone(b []byte, p *agentry.Phone) []byte {
	b = append(b, `{"phone_number":`...)
	b = strconv.AppendQuote(b, p.Number)
	b = append(b, `,"phone_number_type":`...)
	b = strconv.AppendQuote(b, p.Type)
	b = append(b, `,"phone_number_pretty":`...)
	b = strconv.AppendQuote(b, agentry.PhoneNumberPretty(p.Number))
	b = append(b, `,"last_modification_timestamp":`...)
	b = strconv.AppendInt(b, p.ModifiedAt, 10)
	if p.Single != nil {
		// Omitted when unset, like every other field: no agent, or latest.
		for _, d := range agentry.SingleDirections {
			one := p.Single[d]
			if one.AgentID == "" {
				continue
			}
			idField, versionField := d.SingleFields()
			b = append(b, ',', '"')
			b = append(b, idField...)
			b = append(b, `":`...)
			b = strconv.AppendQuote(b, one.AgentID)
			if one.Version != nil {
				b = append(b, ',', '"')
				b = append(b, versionField...)
				b = append(b, `":`...)
				b = strconv.AppendInt(b, *one.Version, 10)
			}
		}
	}
	return appendConfig(b, p.Config)
}

type routingMode struct {
	PhoneNumber string `json:"phone_number"`
	Mode        string `json:"mode"`
}

func (s *Server) getRoutingMode(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Service.GetPhone(r.Context(), caller(r), r.PathValue("phone_number"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, routingMode{p.Number, p.Mode})
	return nil
}

func (s *Server) putRoutingMode(w http.ResponseWriter, r *http.Request) error {
	fields, err := decodeRequest(r, schema.RoutingModeRequest)
	if err != nil {
		return err
	}
	var mode string
	_ = json.Unmarshal(fields["mode"], &mode)
	p, err := s.Service.SetRoutingMode(r.Context(), caller(r), r.PathValue("phone_number"), mode)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, routingMode{p.Number, p.Mode})
	return nil
}
