"""12315 complaints and reports (投诉举报): intake, routing, statutory clocks, handling,
supervision, feedback and publicity (plan 二(三)3)."""
