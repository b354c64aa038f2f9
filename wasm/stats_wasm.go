//go:build js && wasm

package wasm

// Stats returns a snapshot of the pool.
func (p *Pool) Stats() Stats {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := Stats{Size: p.size, ReportedCores: HardwareConcurrency(), MeasuredCores: p.measuredCores, CoresRatio: p.coresRatio, MeasureMS: p.measureMS, CompileMS: p.compileMS, WarmupMS: p.warmupMS, Isolated: Isolated(), LastSettle: p.lastSettle,
		PageSettleMS: p.pageSettleMS, PageSettled: p.pageSettled}
	s.LastSettle.WorkerMS = append([]float64(nil), p.lastSettle.WorkerMS...)
	s.LastSettle.PassNS = append([][]int64(nil), p.lastSettle.PassNS...)
	if len(p.lastWarm) > 0 {
		s.FirstCallUS, s.WarmCallUS = map[string]int64{}, map[string]int64{}
		for _, k := range p.lastWarm {
			// Several workers warm each kernel: keep its slowest first
			// call (the one that compiled it) and fastest last call.
			s.FirstCallUS[k.Workload] = max(s.FirstCallUS[k.Workload], k.FirstUS)
			if v, ok := s.WarmCallUS[k.Workload]; !ok || k.LastUS < v {
				s.WarmCallUS[k.Workload] = k.LastUS
			}
		}
	}
	for _, w := range p.workers {
		if w.dead.Load() {
			continue
		}
		s.Alive++
		if w.busy {
			s.Busy++
		}
		if w.warm {
			s.Warm++
		}
		s.InstantiateMS = append(s.InstantiateMS, w.instantiateMS)
		s.StartMS = append(s.StartMS, w.startMS)
		s.SettleMS = append(s.SettleMS, w.settleMS)
		c := w.litter.lastCollected()
		s.CollectMS = append(s.CollectMS, float64(c.EndUS-c.StartUS)/1000)
		if w.settled {
			s.Settled++
		}
		if w.settleAgreed {
			s.SettledAgreed++
		}
	}
	return s
}
