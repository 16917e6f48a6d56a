// Package simnet is a simulated network for the course's distributed
// exercises. Node logic is written as handlers with no goroutines and no real
// time: a message arrives (Receive) or one unit of logical time passes (Tick),
// and the node answers with the messages it wants to send. The network
// delivers, drops, delays, reorders and duplicates those messages,
// partitions and heals, crashes and restarts nodes, all decided by one seed:
// the same seed and the same calls give the same run, event for event.
//
// # Time
//
// Time is a tick counter, Now, starting at 0. Each call to Tick advances it by
// one and then, in this order:
//
//  1. delivers every message due at the new tick, in an order drawn from the
//     seed (messages due at the same tick are reordered);
//  2. calls Tick on every live node in increasing ID order.
//
// A message sent at tick t (returned by a node during Tick number t, or
// injected with Send while Now() == t) with delay d is delivered during tick
// t+1+d, where d is drawn uniformly from [Config.MinDelay, Config.MaxDelay].
// With the zero Config every message arrives at the next tick, so a
// request/response exchange takes two ticks. The messages one call returns
// are sent in increasing order of receiver, so the order in which a node
// lists them does not change the run.
//
// # Faults
//
// A message is lost with probability Config.DropRate and otherwise delivered
// twice with probability Config.DuplicateRate (each copy with its own delay).
// It is also lost when, at the time it is sent or at the time it would be
// delivered, its sender and receiver are in different groups of a Partition,
// or when its receiver is crashed (or not a node of the network) at delivery
// time. A crashed node receives nothing and is not ticked; messages it sent
// before crashing still arrive. Restart puts a new node value in its place
// (what survives a crash is whatever the caller builds the new value from).
//
// # Trying your own node
//
// The package is part of your workspace, so you can run your node on it
// yourself, for example in a test file next to your code:
//
//	net := simnet.New[mypkg.Msg](simnet.Config{Seed: 1, MaxDelay: 2, DropRate: 0.1})
//	for id := simnet.NodeID(1); id <= 5; id++ {
//		net.Add(id, mypkg.NewNode(id, peers))
//	}
//	net.Crash(5)
//	net.Run(50)
//	fmt.Println(net.Diagram(40)) // who sent what to whom, one column per node
//	fmt.Printf("%+v\n", net.Stats())
//
// Change the seed to see another run; keep it to see the same run again.
//
// Beyond Config's random faults, a caller can Partition and Heal, Block one
// direction of a link, Crash and Restart a node, or Pause and Resume one (a
// pause keeps its state and holds its messages). CopyBodies gives every
// receiver its own copy of a message body, as a real network would, and
// reports a body its sender changed after sending it.
//
// # Stable storage
//
// A Storage is a node's disk: the test creates it, gives it to the node, and
// gives the same Storage to the node value it restarts, so what the node
// saved before a crash survives and nothing else does. OnReceive lets a test
// crash a node right after it handled a message and sent its replies, the
// moment at which state that was not yet saved is lost.
//
// # Exploring every delivery order
//
// For tiny configurations, Explore runs the system along every path the
// network could take: every order in which messages due at the same tick can
// reach each node, every delay in [MinDelay, MaxDelay], and optionally a
// bounded number of lost or duplicated messages and crashes of chosen nodes
// at every point. It does so by stateless re-execution: each path rebuilds
// the system with a setup function and replays a sequence of choices. A
// safety property checked after every tick of every path is therefore proven
// for that configuration, not sampled. A failing path is reported with its
// choice sequence (replay it with Replay) and its diagram.
//
// A Network is not safe for concurrent use.
package simnet
