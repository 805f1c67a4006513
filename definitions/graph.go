package definitions

// checkGraph finds stages a process can never enter and stages from which it
// can never finish. Conditions are not evaluated: a transition counts as a
// possible path whatever its `when`.
func (c *checker) checkGraph() {
	if c.stages[c.d.Start] == nil {
		return // an unknown start already reported; reachability would be noise
	}
	reached := map[string]bool{c.d.Start: true}
	queue := []string{c.d.Start}
	for len(queue) > 0 {
		st := c.stages[queue[0]]
		queue = queue[1:]
		for _, t := range st.Transitions {
			if c.stages[t.To] != nil && !reached[t.To] {
				reached[t.To] = true
				queue = append(queue, t.To)
			}
		}
	}

	// Walk backwards from the ends: a stage finishes if some transition leads
	// to an end or to a stage that finishes.
	finishes := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, st := range c.d.Stages {
			if finishes[st.ID] {
				continue
			}
			for _, t := range st.Transitions {
				if c.ends[t.To] != nil || finishes[t.To] {
					finishes[st.ID] = true
					changed = true
					break
				}
			}
		}
	}

	for _, st := range c.d.Stages {
		pos := c.s.keyAt(st.Ptr)
		if !reached[st.ID] {
			c.add(st.Ptr, pos, "stage %q is unreachable: no transition from start %q leads to it", st.ID, c.d.Start)
		}
		if !finishes[st.ID] && len(st.Transitions) > 0 {
			c.add(st.Ptr, pos, "from stage %q no end can be reached: a process entering it never completes", st.ID)
		}
	}
}
