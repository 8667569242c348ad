"""The competence pages, a module per topic; thin: forms parse, services decide."""
