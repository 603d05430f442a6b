package redisstore

import "github.com/redis/go-redis/v9"

// scripts holds the Lua scripts, one per operation that must be atomic across
// replicas. Their sources sit next to the method that runs them. Script.Run
// falls back from EVALSHA to EVAL, so a restarted Redis with an empty script
// cache is handled.
type scripts struct {
	createActorKey    *redis.Script
	addFollower       *redis.Script
	removeFollower    *redis.Script
	removeEverywhere  *redis.Script
	removeByInbox     *redis.Script
	followersPage     *redis.Script
	followedActors    *redis.Script
	follows           *redis.Script
	claimHandle       *redis.Script
	enqueue           *redis.Script
	claim             *redis.Script
	reschedule        *redis.Script
	queuedDeliveries  *redis.Script
	acquireLease      *redis.Script
	releaseLease      *redis.Script
	recordPublished   *redis.Script
	publishedByPage   *redis.Script
	publishedSince    *redis.Script
	addInteraction    *redis.Script
	removeInteraction *redis.Script
	interactions      *redis.Script
	dueTalk           *redis.Script
}

func newScripts() scripts {
	return scripts{
		createActorKey:    redis.NewScript(createActorKeyLua),
		addFollower:       redis.NewScript(addFollowerLua),
		removeFollower:    redis.NewScript(removeFollowerLua),
		removeEverywhere:  redis.NewScript(removeEverywhereLua),
		removeByInbox:     redis.NewScript(removeByInboxLua),
		followersPage:     redis.NewScript(followersPageLua),
		followedActors:    redis.NewScript(followedActorsLua),
		follows:           redis.NewScript(followsLua),
		claimHandle:       redis.NewScript(claimHandleLua),
		enqueue:           redis.NewScript(enqueueLua),
		claim:             redis.NewScript(claimLua),
		reschedule:        redis.NewScript(rescheduleLua),
		queuedDeliveries:  redis.NewScript(queuedDeliveriesLua),
		acquireLease:      redis.NewScript(acquireLeaseLua),
		releaseLease:      redis.NewScript(releaseLeaseLua),
		recordPublished:   redis.NewScript(recordPublishedLua),
		publishedByPage:   redis.NewScript(publishedByPageLua),
		publishedSince:    redis.NewScript(publishedSinceLua),
		addInteraction:    redis.NewScript(addInteractionLua),
		removeInteraction: redis.NewScript(removeInteractionLua),
		interactions:      redis.NewScript(interactionsLua),
		dueTalk:           redis.NewScript(dueTalkLua),
	}
}
