from outreach.cli import main

raise SystemExit(main())
