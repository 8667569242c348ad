"""Every write of the competence app: one function per write, one transaction each, audited.

The functions live in a module per topic (``networks``, ``mapping``, ``courses``,
``shadowing``, ``pd``) and are re-exported here.
"""
