"""Member verification (staff, or two vouches), for polls that ask for verified voters."""
