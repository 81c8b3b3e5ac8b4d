package agentry

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// ResolveRequest asks what would serve a call now: either for a phone
// number, a direction and the counterpart number, or for an agent and a
// version reference.
type ResolveRequest struct {
	PhoneNumber string
	Direction   Direction
	// From and To are the numbers of the call; the counterpart is From for
	// inbound traffic and To for outbound.
	From, To string

	AgentID string
	Version VersionRef // RefNone: latest
}

// Resolve answers what would serve a call now (POST /agentry/v1/resolve).
// The snapshots it reads come from Routes when the service has a cache, so
// that resolving sits in a call path without a database round trip.
func (s *Service) Resolve(ctx context.Context, c Caller, req ResolveRequest) (*Resolution, error) {
	if req.PhoneNumber == "" {
		a, err := s.agentRoutes(ctx, c.Workspace, req.AgentID, true)
		if err != nil {
			return nil, err
		}
		res, err := a.Resolve(req.Version)
		return &res, err
	}
	p, err := s.phoneRoutes(ctx, c.Workspace, req.PhoneNumber)
	if err != nil {
		return nil, err
	}
	self, counterpart := req.To, req.From
	selfField, otherField := "to_number", "from_number"
	if !req.Direction.isInbound() {
		self, counterpart = req.From, req.To
		selfField, otherField = otherField, selfField
	}
	if self != "" && self != req.PhoneNumber {
		return nil, Errorf(EINVALID, "%s: %s differs from phone_number %s, which is this side of %s; put the other party in %s",
			selfField, self, req.PhoneNumber, req.Direction.noun(), otherField)
	}
	random := s.Random
	if random == nil {
		random = rand.Float64
	}
	i, err := p.Pick(req.Direction, counterpart, random)
	if err != nil {
		return nil, err
	}
	b := p.Lists[req.Direction][i]
	a, err := s.agentRoutes(ctx, c.Workspace, b.AgentID, true)
	if err != nil {
		return nil, err
	}
	res, err := a.Resolve(b.Version)
	res.Entry, res.Mode = i, p.Mode
	return &res, err
}

// AssignedTags lists the tags that hold version n of an agent, most
// recently assigned first: what version responses show as assigned_tags.
func (s *Service) AssignedTags(ctx context.Context, c Caller, agentID string, n int64) ([]string, error) {
	if s.Routes == nil {
		// No cache: one statement, not a whole snapshot. The caller has just
		// read the version, so the agent needs no check of its own.
		a := &AgentRoutes{AgentID: agentID}
		err := s.readOne(ctx, func(tx Tx) (err error) {
			a.Tags, err = tx.ListTags(c.Workspace, agentID)
			return err
		})
		if err != nil {
			return nil, err
		}
		sortTags(a.Tags)
		return a.AssignedTags(n), nil
	}
	a, err := s.agentRoutes(ctx, c.Workspace, agentID, false)
	if err != nil {
		return nil, err
	}
	return a.AssignedTags(n), nil
}

// AgentRoutesOf returns the routing snapshot of an agent (tags only).
func (s *Service) AgentRoutesOf(ctx context.Context, c Caller, agentID string) (*AgentRoutes, error) {
	return s.agentRoutes(ctx, c.Workspace, agentID, false)
}

// agentRoutes returns an agent's snapshot, from the cache when it can; with
// versions, the snapshot holds the agent's versions too. Only a routed
// agent's versions are cached: every change to them logs a route change.
func (s *Service) agentRoutes(ctx context.Context, ws, id string, versions bool) (*AgentRoutes, error) {
	key := routeKey{ws, id}
	if a := s.Routes.agent(key); a != nil && (!versions || a.Routed) {
		return a, nil
	}
	gen := s.Routes.generation(key)
	a := &AgentRoutes{WorkspaceID: ws, AgentID: id}
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := getResource(tx, ws, AnyAgent, id, false)
		if err != nil {
			return err
		}
		a.Kind = r.Kind
		if a.Tags, err = tx.ListTags(ws, id); err != nil {
			return err
		}
		sortTags(a.Tags)
		a.Routed = len(a.Tags) > 0
		if !a.Routed {
			if a.Routed, err = tx.AgentBound(ws, id); err != nil {
				return err
			}
		}
		if versions || a.Routed {
			a.Versions, err = tx.VersionStates(ws, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	cached := a
	if !a.Routed && a.Versions != nil {
		c := *a
		c.Versions = nil
		cached = &c
	}
	s.Routes.putAgent(key, cached, gen)
	return a, nil
}

// phoneRoutes returns a phone number's snapshot, from the cache when it
// can.
func (s *Service) phoneRoutes(ctx context.Context, ws, number string) (*PhoneRoutes, error) {
	key := routeKey{ws, number}
	if p := s.Routes.phone(key); p != nil {
		return p, nil
	}
	gen := s.Routes.generation(key)
	var p *Phone
	err := s.readOne(ctx, func(tx Tx) (err error) {
		p, err = tx.GetPhone(ws, number)
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return nil, phoneNotFound(number)
	} else if err != nil {
		return nil, err
	}
	if err := p.parseLists(); err != nil {
		return nil, err
	}
	pr := &PhoneRoutes{WorkspaceID: ws, Number: number, Mode: p.Mode, Lists: p.Lists}
	if len(p.Buckets) > 0 {
		pr.Buckets = make(map[Direction]StickyTable, len(p.Buckets))
	}
	for d, table := range p.Buckets {
		pr.Buckets[d] = NewStickyTable(table)
	}
	s.Routes.putPhone(key, pr, gen)
	return pr, nil
}

// RouteChange is an entry of the route change log: something that routing
// snapshots hold (an agent's tags or versions, a phone number) changed at
// At. Every replica reads the log to forget what it cached.
type RouteChange struct {
	ID          string
	WorkspaceID string
	// Subject is an agent id or a phone number.
	Subject string
	At      int64 // milliseconds since the epoch, by the writing process's clock
}

// RouteLogRetention is how long the route change log keeps an entry.
const RouteLogRetention = time.Hour

// logRouteChange records, in the writing transaction, that subject's
// routing changed.
func logRouteChange(tx Tx, ws, subject string, now int64) error {
	return tx.RecordRouteChange(RouteChange{ID: NewID("rc_"), WorkspaceID: ws, Subject: subject, At: now},
		now-RouteLogRetention.Milliseconds())
}

// routedChange logs a route change for agent r when routing may hold its
// versions (a tag or a phone number points at it), and reports whether it
// did, so that the caller forgets its own snapshot after commit.
func routedChange(tx Tx, r *Resource, now int64) (bool, error) {
	return routedChangeKnown(tx, r, now, nil)
}

// routedChangeKnown is routedChange where the caller may have read, under
// r's lock in this transaction, whether routing points at the agent; nil
// means it is read here.
func routedChangeKnown(tx Tx, r *Resource, now int64, known *bool) (bool, error) {
	if !r.Kind.Agent {
		return false, nil
	}
	var routed bool
	if known != nil {
		routed = *known
	} else {
		var err error
		if routed, err = tx.AgentRouted(r.WorkspaceID, r.ID); err != nil {
			return false, err
		}
	}
	if !routed {
		return false, nil
	}
	return true, logRouteChange(tx, r.WorkspaceID, r.ID, now)
}

// RouteChangesSince lists the route changes logged at or after at.
func (s *Service) RouteChangesSince(ctx context.Context, at int64) ([]RouteChange, error) {
	var out []RouteChange
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		out, err = tx.RouteChangesSince(at)
		return err
	})
	return out, err
}
