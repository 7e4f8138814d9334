"""The container action's entry point: hands over to readiness.action, which does all the work."""

from readiness.action import main

raise SystemExit(main())
