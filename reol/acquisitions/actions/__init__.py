"""Every write of acquisitions, one function per write, each one transaction with its audit
event: ``funds`` (allocation, transfers, roll-over, the ledger), ``orders`` (vendors, orders,
lines, sending, cancelling, claiming), ``receiving`` (by scan or the vendor's MARC file),
``invoices`` and ``suggestions``."""
