//! Dense typed indices. Original string ids live on the records and at the edges.

use serde::{Deserialize, Serialize};

macro_rules! dense_id {
    ($(#[$m:meta])* $name:ident) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as `usize`, for slicing.
            #[inline]
            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// The index for position `i`. Inputs are capped far below `u32::MAX` at the boundary.
            #[inline]
            pub fn from_index(i: usize) -> Self {
                $name(i as u32)
            }
        }
    };
}

dense_id!(
    /// A site (building) in [`crate::Inputs::sites`].
    SiteIdx
);
dense_id!(
    /// A small-area zone in [`crate::Inputs::zones`].
    ZoneIdx
);
dense_id!(
    /// A service in [`crate::Inputs::services`].
    ServiceIdx
);
