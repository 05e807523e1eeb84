"""Travel: legs of a journey, travellers and their identity documents, rooms and the rooming
list."""
