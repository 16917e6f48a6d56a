//go:build dslearnsuite

package raft_test

import (
	"fmt"

	"github.com/dslearn/dslearn/exercises/raft-kv"
	"github.com/dslearn/dslearn/simnet"
)

// probe is a client the test drives by hand: it sends exactly the requests
// the test asks for, and keeps every reply it receives.
type probe struct {
	cl  *cluster
	id  simnet.NodeID
	got []gotReply
}

type gotReply struct {
	from simnet.NodeID
	tick int
	r    raft.Reply
}

func (p gotReply) String() string {
	return fmt.Sprintf("%s from server %d at tick %d", replyString(p.r), p.from, p.tick)
}

func (cl *cluster) addProbe(id simnet.NodeID) *probe {
	p := &probe{cl: cl, id: id}
	cl.net.Add(id, p)
	return p
}

func (p *probe) Receive(m Message) []Message {
	if m.Body.Reply != nil {
		p.got = append(p.got, gotReply{from: m.From, tick: p.cl.net.Now(), r: *m.Body.Reply})
	}
	return nil
}

func (p *probe) Tick() []Message { return nil }

// send injects q from the probe to server to, now.
func (p *probe) send(to simnet.NodeID, q raft.Request) {
	p.cl.net.Send(Message{From: p.id, To: to, Body: raft.KVMsg{Request: &q}})
}

// repliesTo returns the replies received so far to (ClientID, Seq) of q.
func (p *probe) repliesTo(q raft.Request) []gotReply {
	var out []gotReply
	for _, g := range p.got {
		if g.r.ClientID == q.ClientID && g.r.Seq == q.Seq {
			out = append(out, g)
		}
	}
	return out
}

// await runs the network until a reply to q arrives from server from (0:
// any), for at most max ticks, and returns the first such reply.
func (p *probe) await(q raft.Request, from simnet.NodeID, max int) (gotReply, bool) {
	return p.awaitSince(0, q, from, max)
}

// awaitSince is await, counting only the replies after the first since.
func (p *probe) awaitSince(since int, q raft.Request, from simnet.NodeID, max int) (gotReply, bool) {
	find := func() (gotReply, bool) {
		for _, g := range p.got[since:] {
			if g.r.ClientID != q.ClientID || g.r.Seq != q.Seq {
				continue
			}
			if from == 0 || g.from == from {
				return g, true
			}
		}
		return gotReply{}, false
	}
	p.cl.net.RunUntil(func() bool { _, ok := find(); return ok || p.cl.err != nil }, max)
	return find()
}

// call sends q to server to and waits for its reply (max ticks).
func (p *probe) call(to simnet.NodeID, q raft.Request, max int) (gotReply, error) {
	since := len(p.got)
	p.send(to, q)
	g, ok := p.awaitSince(since, q, to, max)
	if p.cl.err != nil {
		return g, p.cl.err
	}
	if !ok {
		return g, fmt.Errorf("server %d did not answer %s within %d ticks\n%s", to, requestString(q), max, p.cl.diagram())
	}
	return g, nil
}
