// Package simnet is a simulated network for the course's distributed
// exercises: node logic is written as handlers, and the network delivers,
// drops, delays, reorders and duplicates messages from one seed.
package simnet
