package main

type replicaRow struct{}
type soakReport struct{}
