"""The trip application (出国申请): the six-step form and its drafting services, the check
and submission, the decisions of its approval chain, publicity (公示), its Word documents,
the list and its export, and the approvals subject it registers."""
