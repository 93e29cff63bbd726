"""Electronic licences (电子证照): catalogue, issue on approval, signed PDFs, verification, sharing."""
