package testenv

// Brittle is a definition whose transition divides by a number from the
// form: 0 makes the expression fail at run time, past every check made when
// it is published.
const Brittle = `id: brittle
title: A rule that can fail
start: check
stages:
  check:
    title: Check
    assignee: {user: ivan}
    form:
      type: object
      required: [n]
      properties:
        n: {type: integer}
    transitions:
      - when: 10 % data.n == 0
        to: close
      - to: close
  close:
    title: Close
    assignee: {user: maria}
    transitions:
      - to: done
ends:
  done: {title: Done}
`
