//! True-peak measurement per ITU-R BS.1770-4 Annex 2. (work in progress)
